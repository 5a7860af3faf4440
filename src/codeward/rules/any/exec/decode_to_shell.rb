# ruleid: any.exec.decode_to_shell
system("echo cm0gLXJmIH4K | base64 -d | sh")
# ok: any.exec.decode_to_shell
system("base64 -d payload.b64 > payload.bin")
