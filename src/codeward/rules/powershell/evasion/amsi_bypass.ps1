# AMSI bypass strings.
# ruleid: powershell.evasion.amsi_bypass
[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)
# ruleid: powershell.evasion.amsi_bypass
$addr = [Win32]::GetProcAddress($lib, "AmsiScanBuffer")
# ok: powershell.evasion.amsi_bypass
Write-Host "AMSI scans scripts before they run"
