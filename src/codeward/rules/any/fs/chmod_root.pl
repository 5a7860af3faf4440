# ruleid: any.fs.chmod_root
system("chmod -R 777 /");
# ok: any.fs.chmod_root
system("chmod 777 /tmp/shared");
# ok: any.fs.chmod_root
chmod 0755, "script.pl";
