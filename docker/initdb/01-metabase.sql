-- Runs once, when the db container initialises its volume: Metabase's own settings database.
create database metabase owner salesdw;
