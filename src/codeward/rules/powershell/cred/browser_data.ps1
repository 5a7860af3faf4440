# Browser credential stores.
# ruleid: powershell.cred.browser_data
Copy-Item "$env:LOCALAPPDATA\Google\Chrome\User Data\Default\Login Data" $env:TEMP\ld.db
# ruleid: powershell.cred.browser_data
Get-Content "$env:APPDATA\Mozilla\Firefox\Profiles\abc.default\logins.json"
# ok: powershell.cred.browser_data
Start-Process "C:\Program Files\Google\Chrome\Application\chrome.exe"
