"""What runs beside a snippet to watch it: a PEP 578 audit hook for Python, strace for everything else."""
