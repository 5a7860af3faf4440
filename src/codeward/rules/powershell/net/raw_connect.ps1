# Raw sockets.
# ruleid: powershell.net.raw_connect
$tcp = New-Object System.Net.Sockets.TcpClient('db.internal', 5432)
# ruleid: powershell.net.raw_connect
$udp = [Net.Sockets.UdpClient]::new()
# ok: powershell.net.raw_connect
Invoke-WebRequest https://example.com
