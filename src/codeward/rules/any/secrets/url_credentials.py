# Passwords inside URLs.
# ruleid: any.secrets.url_credentials
DATABASE_URL = "postgres://app:Vq7pLm2Xz9@db.internal:5432/app"
# ok: any.secrets.url_credentials
DATABASE_URL = "postgres://user:password@localhost/db"
# ok: any.secrets.url_credentials
DATABASE_URL = f"postgres://app:{password}@db/app"
