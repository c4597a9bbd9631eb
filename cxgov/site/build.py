"""Writing the generated pages and building them into a static site.

The user's `mkdocs.yml` (logo, colours, extra pages) is the base; cxgov generates the pages into
its own folder (`.cxgov/site/<audience>/<program>/docs`, never edited by hand), writes an effective
configuration beside them, and runs the builder: mkdocs-material by default, Zensical (the same
team's successor, which reads the same configuration) on request. The configuration keeps the
site offline: no web fonts, no generator link, search built in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cxgov.errors import SiteError, UsageError
from cxgov.model import Program
from cxgov.site.options import Builder, BuiltSite
from cxgov.site.pages import STYLESHEET, Page, nav_title, navigation, not_found_page

BUILD_TIMEOUT_SECONDS = 1800
SCRIPT = "javascripts/cxgov.js"
"""Gives the theme's scrolling table wrappers a tab stop and a name (assets/cxgov.js)."""
WORKER_SHIM = "javascripts/iframe-worker-shim.js"
"""Lets search run from disk (assets/iframe-worker-shim.js). The builders' offline plugins
would load it from a CDN unless `extra.polyfills` already names an iframe-worker."""


def _read_user_config(path: Path | None) -> tuple[dict[str, Any], Path | None]:
    if path is None or not path.is_file():
        return {}, None
    try:
        # mkdocs.yml may carry `!!python/name:` tags for extensions; they are kept as text
        # here and passed through to the builder, which resolves them.
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except yaml.YAMLError as error:
        raise SiteError(f"{path}: not valid YAML: {error}") from error
    if loaded is None:
        return {}, path
    if not isinstance(loaded, dict):
        raise SiteError(f"{path}: expected a mapping of mkdocs settings")
    return loaded, path


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that keeps unknown tags (mkdocs' `!!python/name:`, `!ENV`) as tagged text."""


class _Tagged(str):
    tag: str


def _keep_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value = _Tagged(loader.construct_scalar(node))
        value.tag = node.tag
        return value
    raise SiteError(f"unsupported tag {node.tag} in mkdocs.yml")


_TolerantLoader.add_multi_constructor("", _keep_tag)
_TolerantLoader.add_multi_constructor("!", _keep_tag)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, value: _Tagged) -> yaml.Node:
    return dumper.represent_scalar(value.tag, str(value))


_Dumper.add_representer(_Tagged, _represent_tagged)


def _user_nav(config: dict[str, Any]) -> list[Any]:
    nav = config.get("nav") or []
    if not isinstance(nav, list):
        raise SiteError("mkdocs.yml: `nav` must be a list")
    return nav


def _nav_files(nav: Any) -> list[str]:
    """Local Markdown files a nav refers to (links to URLs are left alone)."""
    if isinstance(nav, str):
        return [] if "://" in nav else [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


def effective_config(
    user: dict[str, Any], program: Program, nav: list[Any], docs_dir: Path, site_dir: Path
) -> dict[str, Any]:
    """The configuration the builder runs with: the user's settings, with what the generated
    pages need set on top."""
    language = program.program.language.value
    theme = dict(user.get("theme") or {})
    theme["name"] = "material"
    theme["language"] = language
    theme["font"] = False  # no Google Fonts: the site must work offline
    # section headings (journeys, objectives) link to their overview pages
    theme["features"] = sorted({*theme.get("features", []), "navigation.indexes"})
    extra = dict(user.get("extra") or {})
    extra["generator"] = False  # drops the only external link the theme adds
    polyfills = [p for p in extra.get("polyfills") or [] if "iframe-worker" not in str(p)]
    extra["polyfills"] = [*polyfills, WORKER_SHIM]
    # `offline` lets search run from a site opened from disk (file://): the index is shipped
    # as a script instead of being fetched, which browsers refuse for file:// pages
    plugins: list[Any] = [{"search": {"lang": [language]}}, "offline"]
    for plugin in user.get("plugins") or []:
        name = plugin if isinstance(plugin, str) else next(iter(plugin))
        if name not in {"search", "offline"}:
            plugins.append(plugin)
    # cxgov.site.tables: each table cell carries its column's heading, for the phone layout
    extensions: list[Any] = ["tables", "attr_list", "admonition", "md_in_html", "cxgov.site.tables"]
    for extension in user.get("markdown_extensions") or []:
        if extension not in extensions:
            extensions.append(extension)
    config = {
        key: value
        for key, value in user.items()
        if key
        not in {"docs_dir", "site_dir", "nav", "theme", "extra", "plugins", "extra_javascript"}
    }
    config.update(
        {
            "site_name": user.get("site_name") or nav_title(program.program.name),
            "docs_dir": str(docs_dir),
            "site_dir": str(site_dir),
            "use_directory_urls": False,
            "theme": theme,
            "extra": extra,
            "extra_css": [*user.get("extra_css", []), STYLESHEET],
            "extra_javascript": [*user.get("extra_javascript", []), SCRIPT],
            "plugins": plugins,
            "markdown_extensions": extensions,
            "nav": nav + _user_nav(user),
        }
    )
    return config


def write_pages(pages: list[Page], docs: Path) -> None:
    """Replace the generated folder's contents with `pages` and the stylesheet."""
    if docs.exists():
        shutil.rmtree(docs)
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, encoding="utf-8")
    stylesheet = docs / STYLESHEET
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    assets = resources.files("cxgov.site").joinpath("assets")
    stylesheet.write_text(
        assets.joinpath("cxgov.css").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name, place in (("cxgov.js", SCRIPT), ("iframe-worker-shim.js", WORKER_SHIM)):
        script = docs / place
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(assets.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")


def _copy_extra_pages(user: dict[str, Any], config_path: Path | None, docs: Path) -> None:
    """The pages the user's own nav lists, from the user's docs folder."""
    files = _nav_files(_user_nav(user))
    if not files:
        return
    base = (config_path.parent if config_path else Path.cwd()) / str(user.get("docs_dir", "docs"))
    for name in files:
        source = base / name
        target = docs / name
        if not source.is_file():
            raise SiteError(f"mkdocs.yml nav lists {name}, but {source} does not exist")
        if target.exists():
            raise SiteError(f"mkdocs.yml nav page {name} has the name of a generated page")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def write_overrides(
    program: Program, user: dict[str, Any], config_path: Path | None, work: Path
) -> Path:
    """The theme overrides the build uses: the user's own `custom_dir` (copied, so it is
    found whichever folder the builder runs in), plus a 404 page in the program's language
    unless the user has their own."""
    overrides = work / "overrides"
    if overrides.exists():
        shutil.rmtree(overrides)
    custom = (user.get("theme") or {}).get("custom_dir")
    if custom:
        base = config_path.parent if config_path else Path.cwd()
        source = base / str(custom)
        if not source.is_dir():
            raise SiteError(f"mkdocs.yml theme.custom_dir {custom}: {source} is not a folder")
        shutil.copytree(source, overrides)
    overrides.mkdir(parents=True, exist_ok=True)
    not_found = overrides / "404.html"
    if not not_found.exists():
        not_found.write_text(not_found_page(program), encoding="utf-8")
    return overrides.resolve()


def _command(builder: Builder, config: Path) -> list[str]:
    if builder is Builder.ZENSICAL:
        return [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(config)]
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)]


MARKER = ".cxgov-site"
"""A file in every built site: a folder holding it (or an older mkdocs build) may be replaced."""


def check_out(out: Path) -> None:
    """The builders empty `out` before they write: refuse a folder that holds anything but a
    site built before, so a mistyped `--out` never deletes someone's files (a usage error,
    exit 2, before anything is built)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"--out {out}: not a folder; give a new, empty or earlier site folder")
    if not any(out.iterdir()):
        return
    # a site built before the marker existed is recognised by mkdocs' search index
    built_before = (out / MARKER).is_file() or (out / "search" / "search_index.json").is_file()
    if not built_before:
        raise UsageError(
            f"--out {out}: the folder is not empty and holds no site cxgov built "
            f"(no {MARKER} file), and building would delete its files; choose a new or empty "
            "folder, or the folder of a site cxgov built"
        )


def build_site(
    program: Program,
    pages: list[Page],
    *,
    work: Path,
    out: Path,
    user_config: Path | None,
    builder: Builder = Builder.MKDOCS,
    generate_seconds: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> BuiltSite:
    """Write `pages` under `work` and build them into `out`."""
    check_out(out)
    say = progress or (lambda _message: None)
    user, config_path = _read_user_config(user_config)
    docs = work / "docs"
    started = time.perf_counter()
    write_pages(pages, docs)
    _copy_extra_pages(user, config_path, docs)
    # Zensical writes only inside the folder of its configuration (and wants the folders given
    # relative to it); its output is moved to `out` afterwards
    overrides = write_overrides(program, user, config_path, work)
    site_dir = (work / "built") if builder is Builder.ZENSICAL else out
    config = effective_config(
        user,
        program,
        navigation(program, pages),
        Path("docs"),
        Path("built") if builder is Builder.ZENSICAL else out.resolve(),
    )
    config["theme"]["custom_dir"] = str(overrides)
    config_file = work / "mkdocs.yml"
    config_file.write_text(
        "# Generated by `cxgov site build` from the top-level mkdocs.yml; edit that one.\n"
        + yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    generate_seconds += time.perf_counter() - started
    say(f"building the site with {builder.value}")
    started = time.perf_counter()
    try:
        done = subprocess.run(
            _command(builder, config_file.resolve()),
            capture_output=True,
            text=True,
            check=False,
            timeout=BUILD_TIMEOUT_SECONDS,
            cwd=work,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SiteError(f"could not run {builder.value}: {error}") from error
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise SiteError(f"{builder.value} build failed (exit {done.returncode}):\n{output}")
    if site_dir != out:
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(site_dir, out)
    (out / MARKER).write_text(
        "Built by cxgov site build; the next build replaces this folder.\n", encoding="utf-8"
    )
    return BuiltSite(
        out,
        docs,
        sum(1 for p in pages if p.path.endswith(".md")),
        generate_seconds,
        time.perf_counter() - started,
    )
