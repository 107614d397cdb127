"""The primitive operations, by family; each op's forward sits beside its backward."""
