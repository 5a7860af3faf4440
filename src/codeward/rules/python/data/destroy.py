"""Fixture for python.data.destroy: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import sqlite3

import boto3
import redis
from sqlalchemy import create_engine, text

engine = create_engine("postgresql://admin@db.example.internal/orders")
with engine.begin() as conn:
    # ruleid: python.data.destroy
    conn.execute(text("DROP TABLE customers CASCADE"))
    # ok: python.data.destroy
    conn.execute(text("SELECT * FROM customers WHERE id = :id"), {"id": 3})
db = sqlite3.connect("app.db")
cursor = db.cursor()
statement = "DROP " + "DATABASE orders"
# ruleid: python.data.destroy
cursor.execute(statement)
# ruleid: python.data.destroy
db.executescript("DELETE FROM sessions;")
# ok: python.data.destroy
db.execute("DELETE FROM sessions WHERE expires < ?", (0,))
# ruleid: python.data.destroy
boto3.resource("s3").Bucket("acme-prod-data").objects.all().delete()
s3 = boto3.client("s3")
# ruleid: python.data.destroy
s3.delete_bucket(Bucket="acme-backups")
# ok: python.data.destroy
s3.delete_object(Bucket="acme-uploads", Key="tmp/report.csv")
# ruleid: python.data.destroy
redis.Redis().flushall()
# ok: python.data.destroy
redis.Redis().delete("session:42")
bucket = boto3.resource("s3").Bucket("acme-logs")
# ruleid: python.data.destroy
bucket.object_versions.all().delete()
from orders.models import Order

# ruleid: python.data.destroy
Order.objects.all().delete()
# ok: python.data.destroy
Order.objects.filter(status="draft").delete()
