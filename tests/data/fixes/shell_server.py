"""Process tools: shell=True on a command list (fixable) beside string commands (never touched)."""
import subprocess

from mcp.server.fastmcp import FastMCP

app = FastMCP("procs")


@app.tool()
def count_lines(path: str) -> str:
    """Count the lines of a file."""
    return subprocess.check_output(["wc", "-l", path], shell=True, text=True)


@app.tool()
def list_dir(folder: str) -> str:
    """List a folder."""
    done = subprocess.run(
        ["ls", "-la", folder],
        shell=True,  # copied from an old script
        capture_output=True,
    )
    return done.stdout


@app.tool()
def search(term: str) -> str:
    """Search the logs; a string command needs judgement."""
    return subprocess.check_output("grep -r " + term + " /var/log", shell=True, text=True)


@app.tool()
def piped(term: str) -> str:
    """A list whose program is a whole pipeline stays as it is."""
    return subprocess.check_output(["grep -r " + term + " | wc -l"], shell=True, text=True)
