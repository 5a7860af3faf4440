# Run keys and the Startup folder.
# ruleid: powershell.persist.run_key
Set-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name Updater -Value 'C:\Users\Public\u.exe'
# ruleid: powershell.persist.run_key
reg add HKLM\Software\Microsoft\Windows\CurrentVersion\RunOnce /v x /d "cmd /c evil.bat"
# ruleid: powershell.persist.run_key
Copy-Item .\agent.exe "$env:APPDATA\Microsoft\Windows\Start Menu\Programs\Startup\agent.exe"
# ok: powershell.persist.run_key
Get-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
