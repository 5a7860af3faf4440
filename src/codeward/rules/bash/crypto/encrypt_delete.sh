#!/bin/bash
openssl enc -aes-256-cbc -in notes.txt -out notes.txt.enc -k pass
# ruleid: bash.crypto.encrypt_delete
rm notes.txt
gpg -c ~/Documents/taxes.pdf
# ruleid: bash.crypto.encrypt_delete
shred -u ~/Documents/taxes.pdf
gpg --batch --passphrase "$KEY" --symmetric ./report.docx && \
  # ruleid: bash.crypto.encrypt_delete
  rm -f report.docx

openssl enc -aes-256-cbc -in backup.tar -out backup.tar.enc -k "$BACKUP_KEY"
# ok: bash.crypto.encrypt_delete
aws s3 cp backup.tar.enc s3://backups/
gpg --encrypt -r ops@example.com export.csv
# ok: bash.crypto.encrypt_delete
curl -T export.csv.gpg https://files.example.com/upload/
# ok: bash.crypto.encrypt_delete
rm export.csv.bak
openssl enc -d -aes-256-cbc -in secrets.enc -out secrets.txt -k pass
# ok: bash.crypto.encrypt_delete
rm secrets.enc
