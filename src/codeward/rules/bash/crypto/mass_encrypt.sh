#!/bin/bash
for f in ~/Documents/*; do
  openssl enc -aes-256-cbc -salt -in "$f" -out "$f.enc" -k secret
  # ruleid: bash.crypto.mass_encrypt
  rm "$f"
done
gpg --batch --passphrase x -c ./data/*
# ruleid: bash.crypto.mass_encrypt
rm -f ./data/*
# ruleid: bash.crypto.mass_encrypt
ccrypt -e -K key -r ~/Pictures

gpg -c notes.txt
# ok: bash.crypto.mass_encrypt
shred -u notes.txt
# ok: bash.crypto.mass_encrypt
openssl enc -d -aes-256-cbc -in backup.enc -out backup.tar -k secret
