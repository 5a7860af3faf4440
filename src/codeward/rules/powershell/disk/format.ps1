# Formatting and wiping disks.
# ruleid: powershell.disk.format
Format-Volume -DriveLetter D -FileSystem NTFS -Force
# ruleid: powershell.disk.format
Get-Disk 1 | Clear-Disk -RemoveData -Confirm:$false
# ruleid: powershell.disk.format
format C: /q /y
# ok: powershell.disk.format
Get-Volume
# ok: powershell.disk.format
$msg = "{0} items" -f $count
