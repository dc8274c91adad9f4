"""Config tools: PyYAML loaders in the forms --fix rewrites, and look-alikes it must leave alone."""
import yaml
import yaml as pyyaml
from yaml import load, load_all as load_every

from mcp.server.fastmcp import FastMCP

app = FastMCP("configs")


class Store:
    def load(self, blob):
        return blob


store = Store()


@app.tool()
def parse_plain(doc: str) -> dict:
    """Parse a document."""
    return yaml.load(doc)  # old code: no loader at all


@app.tool()
def parse_full(doc: str) -> dict:
    """Parse with the full loader."""
    return yaml.load(doc, Loader=yaml.FullLoader)


@app.tool()
def parse_every(doc: str) -> list:
    """Parse every document of a stream."""
    return list(pyyaml.load_all(
        doc,  # the stream
        Loader=pyyaml.UnsafeLoader,
    ))


@app.tool()
def parse_unsafe(doc: str) -> dict:
    """Parse anything."""
    return yaml.unsafe_load(doc)


@app.tool()
def parse_imported(doc: str) -> dict:
    """Parse through the imported name."""
    return load(doc, yaml.Loader)


@app.tool()
def parse_custom(doc: str) -> dict:
    """A loader of our own needs a person to decide."""
    return yaml.load(doc, Loader=yaml.CLoader)


@app.tool()
def remember(doc: str) -> str:
    """Keep the document."""
    return store.load(doc)
