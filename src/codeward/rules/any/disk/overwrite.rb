# ruleid: any.disk.overwrite
system("mkfs.ext4 /dev/sda1")
# ruleid: any.disk.overwrite
`dd if=/dev/zero of=/dev/sda bs=1M`
# ok: any.disk.overwrite
system("dd if=/dev/zero of=/tmp/disk.img bs=1M count=10")
# ok: any.disk.overwrite
puts "mkfs is a command"
