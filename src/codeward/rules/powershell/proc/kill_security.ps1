# Stopping security software.
# ruleid: powershell.proc.kill_security
Stop-Process -Name MsMpEng -Force
# ruleid: powershell.proc.kill_security
taskkill /f /im Sysmon64.exe
# ruleid: powershell.proc.kill_security
Get-Process | Where-Object {$_.Name -eq 'x'}; Stop-Service -Name Sense -Force
# ok: powershell.proc.kill_security
Stop-Process -Name notepad
