# Ransomware's preparation: no way back.
# ruleid: powershell.data.backup_destroy
vssadmin delete shadows /all /quiet
# ruleid: powershell.data.backup_destroy
wbadmin delete catalog -quiet
# ruleid: powershell.data.backup_destroy
Get-WmiObject Win32_ShadowCopy | Remove-WmiObject
# ruleid: powershell.data.backup_destroy
bcdedit /set {default} recoveryenabled No
# ok: powershell.data.backup_destroy
vssadmin list shadows
# ok: powershell.data.backup_destroy
wbadmin get versions
