use clap::Parser;

fn main() {
    let cli = integrations::cli::Cli::parse();
    let (printer, result) = integrations::cli::run(cli);
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            printer.error(&err.to_string());
            err.exit_code()
        }
    };
    std::process::exit(code);
}
