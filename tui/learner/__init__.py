"""The learner app: course map, exercise screen (lesson, editor, output), hints, history, git."""
