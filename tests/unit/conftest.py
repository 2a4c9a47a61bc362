"""Library tests of a second or more each on this 2-core machine (figures drawn in full,
solvers run to tight tolerances or through their compiled paths, Monte Carlo checks, the
documentation's examples): marked `slow`, so `make test` runs them and `make test-fast`
(`-m "not slow"`) does not. Tests that mark themselves slow carry the mark where they are
defined; this list holds the rest, by node id under tests/unit/ (a parametrized test with
its parameters, so that only its slow cases are listed)."""

import pytest

SLOW = {
    "test_adaptive.py::test_a_cell_gives_the_same_rows_whichever_round_fits_it",
    "test_adaptive.py::test_each_round_adds_n_inside_the_previous_rounds_interval_until_the_target",
    "test_analysis.py::test_scaling_from_estimated_transitions",
    "test_atomic.py::test_no_module_writes_a_file_except_through_gsbench_atomic",
    "test_claim_rules.py::test_claim_figures_are_byte_reproducible",
    "test_claim_rules.py::test_limit_rule_on_constructed_alpha_sequences",
    "test_claims_theory.py::test_statdim_l1_matches_its_definition[20-100]",
    "test_claims_theory.py::test_statdim_l1_matches_its_definition[3-500]",
    "test_claims_theory.py::test_statdim_l1_matches_its_definition[5-100]",
    "test_cli.py::test_fit_prints_one_json_object_with_every_field",
    "test_convex.py::test_group_basis_pursuit_with_groups_of_one_is_basis_pursuit",
    "test_convex.py::test_radius_below_the_least_squares_residual_is_raised_to_it",
    "test_docs.py::test_analysis_example",
    "test_docs.py::test_sweep_example",
    "test_float32.py::test_float32_recovers_what_float64_recovers[dglnn1]",
    "test_float32.py::test_float32_recovers_what_float64_recovers[dglnn_gd]",
    "test_float32.py::test_float32_recovers_what_float64_recovers[hadamard_depth]",
    "test_float32.py::test_study_config_with_float32",
    "test_group_lasso.py::test_path_satisfies_kkt_conditions[group-lasso]",
    "test_group_lasso_path.py::test_batched_equals_one_by_one",
    "test_group_lasso_path.py::test_path_patience_keeps_the_selected_estimates",
    "test_group_lasso_path.py::test_same_objective_as_full_set_fista[n<p-size4-noisy]",
    "test_group_lasso_path.py::test_same_objective_as_full_set_fista[n<p-unequal-noisy]",
    "test_hostile_inputs.py::test_fit_into_a_closed_pipe_ends_quietly",
    "test_incoherence.py::test_coherence_figures_are_drawn_and_a_bad_measure_is_named",
    "test_incoherence.py::test_incoherence_config_is_valid_with_its_documented_288_cells",
    "test_laws.py::test_known_law_is_attributed_and_recovered[entry]",
    "test_laws.py::test_known_law_is_attributed_and_recovered[incoh_ent]",
    "test_laws.py::test_known_law_is_attributed_and_recovered[incoh_grp]",
    "test_laws.py::test_known_law_is_attributed_and_recovered[power]",
    "test_laws.py::test_power_law_ratio_interval",
    "test_methods.py::test_batched_fit_equals_unbatched[dglnn_gd]",
    "test_methods.py::test_data_derived_defaults_are_scale_equivariant[dglnn1]",
    "test_methods.py::test_data_derived_defaults_are_scale_equivariant[dglnn_gd]",
    "test_methods.py::test_data_derived_defaults_are_scale_equivariant[hadamard_depth]",
    "test_methods.py::test_dglnn2_is_as_accurate_as_dglnn1_at_every_signal_scale",
    "test_methods.py::test_early_termination_reports_the_same_estimates[dglnn2]",
    "test_methods.py::test_early_termination_reports_the_same_estimates[hadamard]",
    "test_methods.py::test_scikit_learn_conventions[group_bp]",
    "test_methods.py::test_v_step_u4_is_scale_free",
    "test_paper_figures.py::test_output_is_deterministic",
    "test_real_grid.py::test_the_studys_stages_on_a_real_design_in_process",
    "test_report.py::test_figure_path_without_suffix_and_several_contexts",
    "test_report.py::test_figures_empty_inputs_say_no_data",
    "test_report.py::test_figures_single_method_single_group",
    "test_report.py::test_scaling_legend_has_slopes",
    "test_resources.py::test_plan_line_names_cpu_hours_memory_and_jobs",
    "test_stale_results.py::test_status_names_current_stale_and_missing_fits_with_the_reason",
    "test_stopping_rule.py::test_interpolation_stop_fires_and_sets_converged[dglnn2]",
    "test_stopping_rule.py::test_path_patience_ends_the_path_with_the_same_estimates[group_mcp]",
    "test_sweep_batch.py::test_a_diverging_setting_is_recorded_and_leaves_the_others_unchanged",
    "test_sweep_batch.py::test_sweep_equals_separate_fits[dglnn2]",
    "test_sweep_batch.py::test_sweep_equals_separate_fits[dglnn_gd]",
    "test_sweep_batch.py::test_sweep_equals_separate_fits[hadamard]",
    "test_sweep_batch.py::test_sweep_equals_separate_fits[hadamard_depth]",
    "test_theory.py::test_statdim_against_monte_carlo[active0-inactive0-sqrt]",
    "test_theory_figures.py::test_phase_diagram_draws_a_panel_per_method_with_its_cells_and_curves",
    "test_verdict.py::test_aggregate_then_verdict_on_a_trials_table",
    "test_verdict.py::test_verdict_stage_names_the_generating_law",
    "test_verdict_rules.py::test_censored_cells_are_counted_not_dropped",
    "test_verdict_rules.py::test_every_summary_line_says_what_its_rows_say",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.removeprefix("tests/unit/") in SLOW:
            item.add_marker(pytest.mark.slow)
