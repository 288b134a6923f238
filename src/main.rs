fn main() {
    integrations::cli::complete::complete_if_asked();
    let (cli, catalog) = integrations::cli::parse(std::env::args_os().collect());
    let (printer, result) = integrations::cli::run(cli, catalog);
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            printer.error(&err.to_string());
            err.exit_code()
        }
    };
    std::process::exit(code);
}
