"""What the paper shows and says: each figure's title and Section 5's statement about it."""

TITLES = {
    "fig2": "Figure 2: convergence of Algorithm 1 (support entries all 10)",
    "fig3": "Figure 3: convergence of Algorithm 2 (support entries from 5 to 13)",
    "fig4": "Figure 4: structured versus standard sparsity (n = 100, p = 500)",
    "fig5": "Figure 5: degenerate case, group size 1",
}

#: The outcome Section 5 states for each figure, verbatim.
QUOTES = {
    "fig2": "As we can see, early stopping is crucial for reaching the structured sparse "
    "solution.",
    "fig3": "In addition to convergence, we also observe an incremental learning effect.",
    "fig4": "We display the result in the right figure, where interestingly, that algorithm "
    "fails to converge because of an insufficient number of samples.",
    "fig5": "We demonstrate the efficacy of our algorithms even in the degenerate case.",
}
