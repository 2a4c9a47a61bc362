# The one script of every rule: gsbench.rules.RULES maps the rule's name to its function.
from gsbench.rules import run

run(snakemake)
