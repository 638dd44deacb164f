"""Form helpers shared by every app's views."""


def add_errors(form, error):
    """Put an action's ValidationError on the form, on the field it names when the form has it
    (else on the form as a whole), so the page shows it in place with the user's input kept."""
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
