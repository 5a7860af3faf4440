# Recursive deletes of drive roots, the profile and system folders, in PowerShell and cmd spellings.
# ruleid: powershell.fs.recursive_delete
Remove-Item -Recurse -Force C:\
# ruleid: powershell.fs.recursive_delete
Remove-Item -Path $env:USERPROFILE -Recurse -Force
# ruleid: powershell.fs.recursive_delete
rm -r -fo C:\Windows\System32
# ruleid: powershell.fs.recursive_delete
ri -Recurse -Force "$HOME"
# ruleid: powershell.fs.recursive_delete
del /s /q C:\*
# ruleid: powershell.fs.recursive_delete
rd /s /q "C:\Program Files"
# ruleid: powershell.fs.recursive_delete
Get-ChildItem x; Remove-Item ~ -Recurse
# ruleid: powershell.fs.recursive_delete
Remove-Item -Recurse -Force $env:SystemRoot\
# ok: powershell.fs.recursive_delete
Remove-Item -Recurse -Force .\build
# ok: powershell.fs.recursive_delete
Remove-Item -Recurse C:\Users\me\project\dist
# ok: powershell.fs.recursive_delete
Remove-Item C:\temp\log.txt
# ok: powershell.fs.recursive_delete
Write-Host "do not run Remove-Item on important files"
