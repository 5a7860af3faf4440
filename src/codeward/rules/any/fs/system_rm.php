<?php
// ruleid: any.fs.system_rm
shell_exec("rm -rf " . $dir);
// ruleid: any.fs.system_rm
system('rm -r ' . escapeshellarg($path));
// ok: any.fs.system_rm
unlink($file);
// ok: any.fs.system_rm
echo "rm -rf is dangerous";
