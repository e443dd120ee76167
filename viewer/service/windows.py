"""Windows: a value under the user's Run key that starts pythonw.exe (no console window) at logon."""
import subprocess
from dataclasses import replace
from pathlib import PureWindowsPath

from .launch import NAME, Launch

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def where() -> str:
    return rf"HKEY_CURRENT_USER\{RUN_KEY}\{NAME}"


def windowless(launch: Launch) -> Launch:
    """The same command with pythonw.exe, which opens no console window, next to python.exe."""
    python = PureWindowsPath(launch.argv[0])
    if python.name.lower() == "python.exe":
        python = python.with_name("pythonw.exe")
    return replace(launch, argv=(str(python), *launch.argv[1:]))


def run_value(launch: Launch) -> str:
    """The Run value: one Windows command line. A Run entry has no working directory, so the
    code's folder goes on the path through `-c` (an installed package would not need it)."""
    argv = windowless(launch).argv
    return subprocess.list2cmdline([argv[0], "-c", bootstrap(launch.working_directory), *argv[3:]])


def bootstrap(folder: str) -> str:
    """Python code that runs `python -m viewer` with `folder` first on the path."""
    return (f"import sys, runpy; sys.path.insert(0, {folder!r}); "
            "runpy.run_module('viewer', run_name='__main__', alter_sys=True)")


def installed_argv():
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value, _ = winreg.QueryValueEx(key, NAME)
    except FileNotFoundError:
        return None
    return argv_of(value)


def argv_of(value: str) -> list:
    """The interpreter and the viewer's options in a Run value (its `-c` bootstrap as `-m viewer`)."""
    words = split_command_line(value)
    return [words[0], "-m", "viewer", *words[3:]]


def split_command_line(line: str) -> list:
    """Split as the Microsoft C runtime does (the inverse of subprocess.list2cmdline)."""
    words, word, quoted, in_word, i = [], [], False, False, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            run = len(line[i:]) - len(line[i:].lstrip("\\"))
            i += run
            if i < len(line) and line[i] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                    i += 1
            else:
                word.append("\\" * run)
            in_word = True
            continue
        if ch == '"':
            quoted, in_word = not quoted, True
        elif ch in " \t" and not quoted:
            if in_word:
                words.append("".join(word))
            word, in_word = [], False
        else:
            word.append(ch)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(word))
    return words


def install(launch: Launch) -> list:
    import winreg

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, NAME, 0, winreg.REG_SZ, run_value(launch))
    argv = windowless(launch).argv
    subprocess.Popen([*argv], cwd=launch.working_directory, creationflags=0x00000008 | 0x00000200,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [f"Added {where()}: it starts at every logon, without a console window.",
            "Started it now as well."]


def uninstall() -> list:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, NAME)
    except FileNotFoundError:
        return [f"No {where()}; nothing to remove."]
    return [(f"Removed {where()}. A viewer started at this logon runs until you log off "
             "(or end pythonw.exe in Task Manager).")]
