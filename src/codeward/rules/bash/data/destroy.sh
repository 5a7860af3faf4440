#!/bin/bash
# ruleid: bash.data.destroy
psql -c "DROP DATABASE app"
# ruleid: bash.data.destroy
mysql -u root -e 'drop table users;'
# ruleid: bash.data.destroy
sqlite3 app.db "DELETE FROM sessions;"
# ruleid: bash.data.destroy
echo "TRUNCATE orders;" | psql -h db.internal
# ruleid: bash.data.destroy
psql "$DATABASE_URL" <<'SQL'
DROP SCHEMA public CASCADE;
SQL
# ruleid: bash.data.destroy
redis-cli -h cache FLUSHALL
# ruleid: bash.data.destroy
aws s3 rm s3://backups --recursive
# ruleid: bash.data.destroy
aws s3 rb s3://backups --force
# ruleid: bash.data.destroy
gsutil -m rm -r gs://archive/2024
# ruleid: bash.data.destroy
dropdb production
# ruleid: bash.data.destroy
mongosh --eval 'db.dropDatabase()'

# ok: bash.data.destroy
psql -c "SELECT count(*) FROM users"
# ok: bash.data.destroy
sqlite3 app.db "DELETE FROM sessions WHERE expires < now();"
# ok: bash.data.destroy
redis-cli GET key
# ok: bash.data.destroy
aws s3 ls s3://backups
# ok: bash.data.destroy
echo "DROP DATABASE app" > migration_notes.txt
