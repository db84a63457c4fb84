from studyforge.cli import app

app(prog_name="studyforge")
