"""Two studies beyond noiseless random designs:

* :mod:`.real_study`: real design matrices (``config/real.yaml``; ``snakemake real``);
* :mod:`.noisy_study`: the noisy regime read as error rates (``config/noisy.yaml``;
  ``snakemake noisy``).

:mod:`.settings` reads and validates their settings, :mod:`.fits` fits every method on a
batch of problems, :mod:`.rules` is what the workflow rules call.
"""

from . import noisy_study, real_study

#: Study kind -> its module (``parts``, ``run_part``, ``write_verdict``).
STUDIES = {"real": real_study, "noisy": noisy_study}

__all__ = ["STUDIES", "noisy_study", "real_study"]
