//! Every generated stub type-checks under `tsc --strict --noEmit`: one project gets every
//! provider with every config variant and every non-default option value (each under its own
//! alias, through the real `add`), the manifests' npm packages are installed (cached under
//! target/ts-cache between runs), and the real TypeScript compiler checks the lot.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{Project, assert_code, json};

const BASE_PACKAGES: [&str; 4] = ["typescript", "@types/node", "@types/react", "react"];

/// Install `packages` into a cache folder keyed by their names and return it.
fn npm_cache(packages: &BTreeSet<String>) -> std::path::PathBuf {
    let key = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        packages.hash(&mut h);
        format!("{:016x}", h.finish())
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ts-cache")
        .join(key);
    if dir.join("node_modules/.bin/tsc").exists() && dir.join(".complete").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        "{\"name\":\"ts-check\",\"private\":true}\n",
    )
    .unwrap();
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .args(packages)
        .current_dir(&dir)
        .status()
        .expect("run npm");
    assert!(status.success(), "npm install {packages:?} failed");
    std::fs::write(dir.join(".complete"), "").unwrap();
    dir
}

#[test]
fn every_stub_type_checks_under_strict_tsc() {
    if !common::require_tool("npm", "apt-get install nodejs npm") {
        return;
    }
    let p = Project::new();
    assert_code(&p.run(&["init", "--name", "ts-check"]), 0);
    let list = p.run(&["list", "--json"]);
    assert_code(&list, 0);
    let mut packages: BTreeSet<String> = BASE_PACKAGES.iter().map(|s| s.to_string()).collect();
    let mut renderings = 0;
    for provider in json(&list).as_array().unwrap() {
        let id = provider["id"].as_str().unwrap();
        let info = json(&p.run(&["info", id, "--json"]));
        let mut cases: Vec<Vec<String>> = Vec::new();
        for config in info["configs"].as_array().unwrap() {
            let config = format!("--config={}", config.as_str().unwrap());
            cases.push(vec![config.clone()]);
            for opt in info["options"].as_array().into_iter().flatten() {
                for value in opt["values"].as_array().unwrap() {
                    if value != &opt["default"] {
                        let flag = format!(
                            "--{}={}",
                            opt["name"].as_str().unwrap(),
                            value.as_str().unwrap()
                        );
                        cases.push(vec![config.clone(), flag]);
                    }
                }
            }
        }
        for (i, case) in cases.iter().enumerate() {
            let mut args = vec!["add".to_owned(), id.to_owned(), "--json".to_owned()];
            args.extend(case.iter().cloned());
            if i > 0 {
                args.push(format!("--alias=v{i}"));
            }
            let mut o = p.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            if common::stderr(&o).contains("which belongs to the integration") {
                // Two providers generating the same file (prisma/schema.prisma for postgres and
                // mysql): the tool asks for an alias, as a user would give one.
                args.push(format!("--alias=x{i}"));
                o = p.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            }
            assert_code(&o, 0);
            for pkg in json(&o)["npm"].as_array().unwrap() {
                packages.insert(pkg.as_str().unwrap().to_owned());
            }
            renderings += 1;
        }
    }
    assert!(renderings >= 30, "only {renderings} renderings");

    let cache = npm_cache(&packages);
    #[cfg(unix)]
    std::os::unix::fs::symlink(cache.join("node_modules"), p.path().join("node_modules")).unwrap();
    p.write(
        "tsconfig.json",
        r#"{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["dom", "dom.iterable", "es2022"],
    "module": "esnext",
    "moduleResolution": "bundler",
    "jsx": "react-jsx",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "esModuleInterop": true,
    "isolatedModules": true,
    "resolveJsonModule": true,
    "types": ["node", "react"],
    "paths": { "@/*": ["./*"] }
  },
  "include": ["**/*.ts", "**/*.tsx"],
  "exclude": ["node_modules"]
}
"#,
    );
    let out = Command::new(cache.join("node_modules/.bin/tsc"))
        .args(["-p", "."])
        .current_dir(p.path())
        .output()
        .expect("run tsc");
    assert!(
        out.status.success(),
        "tsc --strict failed on generated stubs:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check really covered code: a deliberate type error must fail it.
    p.write(
        "lib/integrations/broken.ts",
        "export const n: number = \"not a number\";\n",
    );
    let out = Command::new(cache.join("node_modules/.bin/tsc"))
        .args(["-p", "."])
        .current_dir(p.path())
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "tsc accepted a type error: the check is not running"
    );
}
