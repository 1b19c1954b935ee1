"""One hub's way to start the image, as markdown lines for the pull request comment."""

from __future__ import annotations

from hubimage.tryout.ways import TryOut, UnlistedChoice


def stop_first(tryout: TryOut) -> str:
    """JupyterHub's spawn page sends a user whose server runs to that server instead."""
    home = f"<https://{tryout.domain}/hub/home>" if tryout.domain else "the hub's home page"
    return f"If a server of yours is running, it opens instead: stop it first on {home}."


def render_try_out(tryout: TryOut, image_ref: str) -> str:
    """Markdown: the link, or the profile and the text to paste, or the one bump command."""
    if tryout.way == "permalink" and tryout.permalink and tryout.choice:
        lines = _permalink(tryout, tryout.choice, image_ref)
    elif tryout.choice is not None:
        lines = _unlisted(tryout, tryout.choice)
    else:
        lines = _bump(tryout, image_ref)
    lines += [f"- {_plain(note)}" for note in tryout.notes]
    return "\n".join(lines)


def _permalink(tryout: TryOut, choice: UnlistedChoice, image_ref: str) -> list[str]:
    return [
        f"**[Start `{image_ref}` on {tryout.domain}]({tryout.permalink})**: opens the hub's "
        f"server options with profile **{_plain(choice.profile)}** and "
        f"**{_plain(choice.choice_name)}** `{choice.value}` under "
        f"**{_plain(choice.option_name)}**, and starts the server. {stop_first(tryout)}",
        *_groups(choice),
    ]


def _unlisted(tryout: TryOut, choice: UnlistedChoice) -> list[str]:
    where = f"<{tryout.spawn_url}>" if tryout.spawn_url else "the hub's server options page"
    return [
        f"On {where}, pick profile **{_plain(choice.profile)}**, choose "
        f"**{_plain(choice.choice_name)}** under **{_plain(choice.option_name)}** and paste "
        f"into **{_plain(choice.input_name)}**:",
        "",
        "```",
        choice.value,
        "```",
        "",
        stop_first(tryout),
        *_groups(choice),
    ]


def _bump(tryout: TryOut, image_ref: str) -> list[str]:
    lines = [
        f"No profile of this hub lets a user choose an image. To point this hub (a staging "
        f"hub) at `{image_ref}`, run in the hub config repository:",
        "",
        "```sh",
        tryout.bump_command or "",
        "```",
    ]
    if tryout.bump_refused:
        refusal = _plain(tryout.bump_refused).replace("\n", " ")
        lines += ["", f"hubimage would refuse it as the config is now: {refusal}"]
    return lines


def _groups(choice: UnlistedChoice) -> list[str]:
    if not choice.allowed_groups:
        return []
    groups = ", ".join(_code(group) for group in choice.allowed_groups)
    return ["", f"Only members of {groups} see this profile."]


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _plain(text: str) -> str:
    """Text from a config or a report, shown as text: no HTML, no table breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
