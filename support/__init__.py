"""Everything the steps call. Behave-free where it can be, and never imports stack/."""
