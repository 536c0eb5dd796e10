"""The reviewer's terminal app (Textual): a thin layer over `reviewer.store.service`."""
