# ruleid: powershell.crypto.mass_encrypt
Get-ChildItem C:\Users\*\Documents -Recurse | ForEach-Object { $e = Protect-CmsMessage -Path $_.FullName -To cert; Set-Content ($_.FullName + '.enc') $e; Remove-Item $_.FullName }
# ruleid: powershell.crypto.mass_encrypt
gci $env:USERPROFILE -r -File | % { $aes = [System.Security.Cryptography.Aes]::Create(); $enc = $aes.CreateEncryptor(); Write-Encrypted $_ $enc; $_.Delete() }

# ok: powershell.crypto.mass_encrypt
Get-ChildItem .\logs -Recurse -Filter *.log | Remove-Item
# ok: powershell.crypto.mass_encrypt
$secure = Protect-CmsMessage -Content $token -To cert
