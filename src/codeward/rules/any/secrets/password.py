# Hard-coded passwords and secrets, and the placeholders that are not.
# ruleid: any.secrets.password
password = "S3cr3t-Pa55!"
# ruleid: any.secrets.password
config = {"client_secret": "9f8e7d6c5b4a39281706"}
# ok: any.secrets.password
password = "changeme"
# ok: any.secrets.password
api_key = "<your-key>"
# ok: any.secrets.password
password = os.environ["DB_PASSWORD"]
# ok: any.secrets.password
secret = "${APP_SECRET}"
# ok: any.secrets.password
secret_key = "DJANGO_SECRET_KEY"
