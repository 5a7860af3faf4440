# Wiping the event logs.
# ruleid: powershell.evasion.log_clear
Clear-EventLog -LogName Security, System
# ruleid: powershell.evasion.log_clear
wevtutil cl Security
# ruleid: powershell.evasion.log_clear
Get-WinEvent -ListLog * | ForEach-Object { wevtutil.exe clear-log $_.LogName }
# ok: powershell.evasion.log_clear
Get-EventLog -LogName Application -Newest 20
# ok: powershell.evasion.log_clear
wevtutil qe System /c:5
