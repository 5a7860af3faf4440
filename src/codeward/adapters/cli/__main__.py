from codeward.adapters.cli import main

main()
