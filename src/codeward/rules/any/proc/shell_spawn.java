class Run {
  void go() throws Exception {
    // ruleid: any.proc.shell_spawn
    Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", cmd});
    // ok: any.proc.shell_spawn
    ProcessBuilder pb = new ProcessBuilder("ls");
    // ok: any.proc.shell_spawn
    String s = "Runtime";
  }
}
