"""A program's YAML files, read into the model: safe YAML with a way back to file:line:column
(`documents`), pydantic's errors turned into diagnostics at their place (`fields`), and program
directories found, their files merged section by section and checked against the model
(`assembly`). The semantic rules run on the result (`cxgov.rules`, `cxgov.validation`)."""
