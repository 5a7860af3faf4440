# Credential dumping.
# ruleid: powershell.cred.credential_dump
Invoke-Mimikatz -Command '"sekurlsa::logonpasswords"'
# ruleid: powershell.cred.credential_dump
rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump 624 C:\temp\lsass.dmp full
# ruleid: powershell.cred.credential_dump
reg save HKLM\SAM C:\temp\sam.save
# ok: powershell.cred.credential_dump
Get-Process lsass | Select-Object Id
