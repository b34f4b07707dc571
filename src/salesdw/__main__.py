from salesdw.cli import main

main()
