"""vetplan optimisation side: scenarios, the training-and-recruitment MILP, and its plan checker."""
