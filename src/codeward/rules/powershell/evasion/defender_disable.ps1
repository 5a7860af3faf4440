# Turning Microsoft Defender off.
# ruleid: powershell.evasion.defender_disable
Set-MpPreference -DisableRealtimeMonitoring $true
# ruleid: powershell.evasion.defender_disable
Set-MpPreference -DisableIOAVProtection 1 -Force
# ruleid: powershell.evasion.defender_disable
Add-MpPreference -ExclusionPath "C:\"
# ruleid: powershell.evasion.defender_disable
Stop-Service WinDefend
# ruleid: powershell.evasion.defender_disable
sc.exe config WinDefend start= disabled
# ok: powershell.evasion.defender_disable
Set-MpPreference -DisableRealtimeMonitoring $false
# ok: powershell.evasion.defender_disable
Get-MpPreference | Select-Object DisableRealtimeMonitoring
# ok: powershell.evasion.defender_disable
Add-MpPreference -ExclusionPath "C:\Projects\repo\node_modules"
