"""The real `snakemake paper_figures` rule: where it finds its settings, and what it writes."""

from __future__ import annotations

import json
import re

import matplotlib.image as mpimg
import pytest
import yaml

from gsbench import paper_figures as pf
from workflow_helpers import ROOT, is_nonblank_png, paper_figures_tiny_settings, png_dpi, snakemake

CONFIG = ROOT / "config" / "config.yaml"  # the default study config: the rule ignores it
SMOKE = ROOT / "config" / "smoke.yaml"  # a study config quicker to plan, for the dry runs


@pytest.mark.slow
def test_snakemake_paper_figures_reads_config_paper_figures_yaml(tmp_path):
    """`snakemake paper_figures` with the default settings path, relative to the working
    directory (here a tiny file at 50 dpi): every output, drawn from those settings."""
    settings = paper_figures_tiny_settings()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "paper_figures.yaml").write_text(yaml.safe_dump(settings))
    snakemake(tmp_path, CONFIG, "paper_figures", timeout=300)
    out = tmp_path / "results" / "paper_figures"
    for name in pf.output_names():
        assert (out / name).is_file(), name
    assert (out / "logs" / "paper_figures.log").is_file()
    for fig in pf.FIGURES:
        png = out / f"{fig}.png"
        assert is_nonblank_png(png), fig  # PNG signature, decoded image not uniform
        assert png_dpi(png) == pytest.approx(settings["plot"]["dpi"], abs=0.05), fig  # whole pixels per metre
        height, width = mpimg.imread(png).shape[:2]
        assert 150 < height < width < 1000, (fig, height, width)  # a wide figure at 50 dpi
        assert (out / f"{fig}.pdf").read_bytes().startswith(b"%PDF"), fig
    # the rule's figure is the library's for the same settings file, byte for byte
    pf.figure2(pf.load_settings(tmp_path / "config" / "paper_figures.yaml"), tmp_path / "again")
    for name in ("fig2.png", "fig2.csv"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    md = (out / "paper_figures.md").read_text()
    assert "`config/paper_figures.yaml`" in md  # the settings file it read, as it was named
    assert re.search(r"^Provenance: gsbench .*settings paper_figures.yaml sha256 [0-9a-f]{12}", md, flags=re.M)
    sections = re.split(r"^## ", md, flags=re.M)[1:]
    assert [s.split(":")[0] for s in sections] == ["Figure 2", "Figure 3", "Figure 4", "Figure 5"]
    numbers = json.loads((out / "paper_figures.json").read_text())
    for section, fig in zip(sections, pf.FIGURES):
        assert pf.QUOTES[fig] in section and "Criterion:" in section, fig
        verdict = re.search(r"\*\*Verdict: (agrees|partly|disagrees)\.\*\*", section)
        assert verdict and verdict[1] == numbers[fig]["verdict"], fig


@pytest.mark.slow
def test_paper_figures_settings_from_config_key_or_missing(tmp_path):
    """`--config paper_figures_settings=<path>` is the rule's input (a dry run: the run itself
    is the test above); without it and without config/paper_figures.yaml in the working
    directory, Snakemake stops naming that file."""
    settings = tmp_path / "elsewhere" / "tiny.yaml"
    settings.parent.mkdir()
    settings.write_text(yaml.safe_dump(paper_figures_tiny_settings()))
    proc = snakemake(tmp_path, SMOKE, "paper_figures", "--dry-run",
                     "--config", f"paper_figures_settings={settings}")
    assert f"input: {settings}\n" in proc.stdout + proc.stderr
    proc = snakemake(tmp_path, SMOKE, "paper_figures", "--dry-run", check=False)
    assert proc.returncode != 0
    assert re.search(r"Missing input files for rule paper_figures:(.|\n)*config/paper_figures\.yaml",
                     proc.stdout + proc.stderr)
