"""RAG-R1 Lab trainer: driven by the TypeScript GPU worker through the JSON-lines protocol."""
